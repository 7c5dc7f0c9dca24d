/**
 * The closed set of error codes the backend throws as `TandemError`s (storage, identity and the
 * sync protocol have their own). A code names what went wrong for the caller; the kind gives the
 * HTTP status. Clients see both.
 */
import { TandemError, type ErrorKind } from "@tandem/shared";

/** Codes of a value or document over one of Convex's limits (`values/limits.ts`). */
export type LimitCode =
  | "InvalidFieldName"
  | "InvalidValue"
  | "TooNestedError"
  | "TooManyFieldsError"
  | "ArrayTooLong"
  | "ValueTooLargeError"
  | "InvalidDocumentError"
  | "DocumentTooLarge"
  | "ArgumentsTooLarge"
  | "ReturnValueTooLarge";

/** Codes of an `auth.config.ts` the backend refuses (`auth/errors.ts`). */
export type AuthConfigErrorCode = "InvalidAuthConfig" | "InvalidProviderDomainUrl" | "InvalidSignatureAlgorithm";

export type BackendErrorCode =
  | LimitCode
  | AuthConfigErrorCode
  | "AlreadyDefinedBound"
  | "ArgumentValidationError"
  | "ArgumentsTooLarge"
  | "AuthConfigMissingEnvironmentVariable"
  | "AuthProviderDiscoveryFailed"
  | "BadAdminKey"
  | "BadContentEncoding"
  | "BadFormat"
  | "BadJsonBody"
  | "BadValue"
  | "BoundsOnMultipleFields"
  | "ComponentCycle"
  | "ComponentsUnsupported"
  | "DocumentNotFound"
  | "DocumentTooLarge"
  | "EvalError"
  | "ExportInProgress"
  | "ExportNotFound"
  | "ExternalPackagesUnavailable"
  | "FieldNotInIndex"
  | "FileNotFound"
  | "FileStorageStarting"
  | "FileStorageUnavailable"
  | "FunctionNotFound"
  | "ImportDuplicateId"
  | "ImportInvalidDocument"
  | "ImportNotFound"
  | "ImportNotWaiting"
  | "ImportParseError"
  | "ImportTableNotEmpty"
  | "ImportTableRequired"
  | "ImportTooLarge"
  | "IndexNotFound"
  | "InternalServerError"
  | "InvalidArgs"
  | "InvalidArgument"
  | "InvalidAuthConfig"
  | "InvalidAuthHeader"
  | "InvalidComponentConfig"
  | "InvalidCronJob"
  | "InvalidCronSchedule"
  | "InvalidCursor"
  | "InvalidDocument"
  | "InvalidEnvironmentVariableName"
  | "InvalidEnvironmentVariableValue"
  | "InvalidEnvironmentVariables"
  | "InvalidFilter"
  | "InvalidFilters"
  | "InvalidFunctionCall"
  | "InvalidImpersonation"
  | "InvalidImportArgs"
  | "InvalidImportFormat"
  | "InvalidImportMode"
  | "InvalidIndexRange"
  | "InvalidModule"
  | "InvalidPageSize"
  | "InvalidPartNumber"
  | "InvalidPath"
  | "InvalidPush"
  | "InvalidQuery"
  | "InvalidSchema"
  | "InvalidSearchQuery"
  | "InvalidSha256"
  | "InvalidStorageCall"
  | "InvalidStorageId"
  | "InvalidStorageToken"
  | "InvalidTableName"
  | "InvalidTimestamp"
  | "InvalidTransactionLimits"
  | "InvalidUdfPath"
  | "InvalidUpload"
  | "InvalidUploadToken"
  | "InvalidVector"
  | "InvalidVectorFilter"
  | "InvalidVectorLimit"
  | "MethodNotAllowed"
  | "ModuleAnalysisFailed"
  | "ModuleNotFound"
  | "MultiplePaginatedDatabaseQueries"
  | "NoAuthProvider"
  | "NoDeployment"
  | "NonexistentDocument"
  | "NotFound"
  | "OptimisticConcurrencyControlFailure"
  | "PageSizeTooLarge"
  | "PayloadTooLarge"
  | "RaceDetected"
  | "ReadOnly"
  | "RequestAborted"
  | "SchemaValidationFailed"
  | "SchemaViolation"
  | "SearchNotSupported"
  | "SearchQueryTooLong"
  | "Sha256Mismatch"
  | "StorageIdNotFound"
  | "StorageTokenExpired"
  | "SystemTableError"
  | "TableCreationFailed"
  | "TooManyBytesScheduled"
  | "TooManyEnvironmentVariables"
  | "TooManyFunctionsScheduled"
  | "TooManyReadsOrWrites"
  | "Unauthenticated"
  | "Unauthorized"
  | "UploadIncomplete"
  | "UploadTooLarge"
  | "VectorDimensionMismatch"
  | "WrongFunctionKind";

export type BackendError = TandemError<BackendErrorCode>;

export function backendError(
  kind: ErrorKind,
  code: BackendErrorCode,
  message: string,
  options?: { cause?: unknown },
): BackendError {
  return new TandemError(kind, code, message, options);
}

export const badRequest = (code: BackendErrorCode, message: string): BackendError =>
  backendError("BadRequest", code, message);
export const notFound = (code: BackendErrorCode, message: string): BackendError =>
  backendError("NotFound", code, message);
export const unauthenticated = (code: BackendErrorCode, message: string): BackendError =>
  backendError("Unauthenticated", code, message);
