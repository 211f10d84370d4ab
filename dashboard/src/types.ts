/**
 * The admin API's answers as the dashboard reads them (see /admin/openapi.json). Every one comes
 * from the server's own declarations in src/schema/, which the routes build their answers as, so
 * the two cannot drift apart.
 */
export type {
  BodyOmitted,
  DeploymentReport as DeploymentHealth,
  DeploymentTestResult,
  KeyCreatedView,
  KeySearchPage,
  KeyView,
  OverviewView as Overview,
  ProviderDeploymentView,
  ProvidersView,
  RequestDetailView as RequestDetail,
  RequestLogPage,
  SeriesPoint,
  UpstreamAttempt as Attempt,
  UsageRowView as UsageRow,
  UsageSeriesView,
  UsageSummaryView,
  UsageTotals as Totals,
} from '../../src/schema/admin-wire.js';
export type { OnlySqCatalogView, OnlySqModelView as CatalogModel } from '../../src/schema/onlysq-models-wire.js';
