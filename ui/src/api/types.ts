// The Hub API's shapes under the names the UI uses. Nothing here is written by hand: every type
// comes from the API's OpenAPI schema (ui/openapi.json, written by the Hub from its Pydantic
// models), turned into ./schema.d.ts by openapi-typescript on every build, type-check and test
// run. After changing the API, run `scripts/ui schema`; tsc then shows what the UI must follow.
import type { components, paths } from "./schema";

type Schemas = components["schemas"];

export type Token = Schemas["Token"];
export type Operator = Schemas["OperatorOut"];

export type Site = Schemas["SiteOut"];
export type SiteSummary = Schemas["SiteSummary"];
export type SiteChanges = Schemas["SiteChanges"];
export type SiteCreate = Schemas["SiteCreate"];
export type SiteEvent = Schemas["SiteEvent"];
export type SiteStep = Schemas["StepOut"];
export type Plan = Schemas["PlanOut"];
export type PlanRequest = Schemas["PlanRequest"];
export type PlannedChange = Schemas["PlannedChange"];
export type PlanApplied = Schemas["PlanApplied"];
export type PlanRefused = Schemas["PlanRefusedOut"];
export type PlanLayer = PlanRequest["layers"] extends (infer L)[] | undefined ? L : never;
export type AuditEntry = Schemas["AuditEntryOut"];
export type HealthProblem = Schemas["ProblemOut"];
export type HealthSummary = Schemas["HealthSummaryOut"];
export type RepairRefused = Schemas["RepairRefusedOut"];
export type HealthDigest = Schemas["DigestOut"];
export type HealthDigestSent = Schemas["DigestSentOut"];
export type HealthProblemsQuery = NonNullable<paths["/api/health/problems"]["get"]["parameters"]["query"]>;
export type AuditQuery = NonNullable<paths["/api/audit"]["get"]["parameters"]["query"]>;
/** The filters and paging of GET /api/sites. */
export type SitesQuery = NonNullable<paths["/api/sites"]["get"]["parameters"]["query"]>;
export type DnsStatus = Site["status_dns"];
export type HostingStatus = Site["status_hosting"];
export type ContentStatus = Site["status_content"];
export type DeploymentStatus = Site["status_deployment"];
export type VerificationStatus = Site["gsc_verification_status"];
/** Every value a site's status columns can hold. */
export type StepStatus = DnsStatus | HostingStatus | ContentStatus | DeploymentStatus | VerificationStatus;

export type ImportRowError = Schemas["ImportRowError"];
export type ImportRowNote = Schemas["ImportRowNote"];
/** One entry of a 422's `detail` list (FastAPI's request validation). */
export type ValidationItem = Schemas["ValidationError"];
export type ImportReport = Schemas["ImportReport"];

/** One per-site asset (onboarding step) a run can materialize. */
export type AssetStep = NonNullable<Schemas["RunRequest"]["step"]>;
export type RunLaunched = Schemas["RunLaunched"];
export type BulkRunResult = Schemas["BulkRunResult"];
export type Run = Schemas["RunOut"];

export type CloudflareAccount = Schemas["CloudflareAccountOut"];
export type CloudflareAccountCreate = Schemas["CloudflareAccountCreate"];
export type CloudflareAccountUpdate = Schemas["CloudflareAccountUpdate"];
export type GoogleAccount = Schemas["GoogleAccountOut"];
export type GoogleAccountCreate = Schemas["GoogleAccountCreate"];
export type GoogleAccountUpdate = Schemas["GoogleAccountUpdate"];

export type AnalyticsDay = Schemas["AnalyticsDay"];
export type SiteTotals = Schemas["SiteTotals"];
/** Range, search, sort and paging of GET /api/analytics/sites. */
export type SiteTotalsQuery = paths["/api/analytics/sites"]["get"]["parameters"]["query"];
export type FleetDay = Schemas["FleetDay"];
export type FleetAnalytics = Schemas["FleetAnalytics"];

export type SiteQuality = Schemas["SiteQualityOut"];
export type QualityVerdict = Schemas["QualityVerdictOut"];
export type FailedAudit = Schemas["FailedAudit"];
export type DuplicatePair = Schemas["DuplicatePairOut"];
export type ThemeOption = Schemas["ThemeOption"];
export type ThemeUpdate = Schemas["ThemeUpdate"];
export type ThemeUpdated = Schemas["ThemeUpdated"];
