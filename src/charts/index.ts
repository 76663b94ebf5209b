// Public API of the chart layer: spec builders (inputs in ./types.ts), rendering, the report.
export type * from './types.ts';

export { timeseriesChart, timeseriesCharts, figureStatus, type TimeseriesInput } from './timeseries.ts';
export { fitChart, type FitInput } from './fit.ts';
export { flowsChart, type FlowsInput } from './flows.ts';
export { posteriorChart, lossChart, weightedQuantile, type PosteriorInput, type LossInput } from './calibration.ts';
export { crossvalChart, CROSSVAL_TARGET, type CrossvalInput } from './crossval.ts';
export {
  sbcCoverageChart,
  sbcRankChart,
  identifiabilityChart,
  priorPredictiveChart,
  binomialRange,
  type SbcInput,
  type IdentifiabilityInput,
  type PriorPredictiveInput,
} from './diagnostics.ts';
export { sensitivityChart, sensitivityMethod, type SensitivityInput, type SensitivityMethod } from './sensitivity.ts';
export { diagnosticsCharts, diagnosticsHint, readDiagnostics, readSensitivity, figureNames } from './diagnostics-files.ts';
export {
  APPS,
  appId,
  appLabel,
  appColor,
  appColorScale,
  metricAxisTitle,
  formatCount,
  formatPercent,
  countExpr,
  logLabelExpr,
  finishChart,
  FONT_FAMILY,
  type AppStyle,
  type ChartFrame,
} from './style.ts';
export {
  renderSvg,
  renderPng,
  compileSpec,
  validateSpec,
  useShippedFontMetrics,
  FONT_FILES,
  type PngOptions,
  type ValidationResult,
  type CompileResult,
} from './render.ts';
export {
  buildReportHtml,
  writeReportHtml,
  writeChartFiles,
  fitTableHtml,
  type ReportInput,
  type ReportEvent,
  type ReportChart,
} from './report.ts';
