/**
 * The closed set of error codes the backend throws as `TandemError`s (storage, identity and the
 * sync protocol have their own). A code names what went wrong for the caller; the kind gives the
 * HTTP status. Clients see both.
 */
import { TandemError, type ErrorKind } from "@tandem/shared";
import type { AuthConfigErrorCode } from "./auth/errors.js";
import type { LimitCode } from "./values/limits.js";

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
  | "ComponentsUnsupported"
  | "InvalidComponentConfig"
  | "ComponentCycle"
  | "DocumentTooLarge"
  | "EvalError"
  | "ExportInProgress"
  | "ExportNotFound"
  | "ExternalPackagesUnavailable"
  | "FieldNotInIndex"
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
  | "InvalidArgs"
  | "InvalidArgument"
  | "InvalidAuthConfig"
  | "InvalidAuthHeader"
  | "InvalidCursor"
  | "InvalidDocument"
  | "InvalidEnvironmentVariableName"
  | "InvalidEnvironmentVariableValue"
  | "InvalidEnvironmentVariables"
  | "InvalidFilter"
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
  | "InvalidTableName"
  | "InvalidTimestamp"
  | "InvalidTransactionLimits"
  | "InvalidUdfPath"
  | "InvalidUpload"
  | "InvalidUploadToken"
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
  | "SystemTableError"
  | "TableCreationFailed"
  | "TooManyEnvironmentVariables"
  | "TooManyReadsOrWrites"
  | "Unauthenticated"
  | "Unauthorized"
  | "WrongFunctionKind";

export type BackendError = TandemError<BackendErrorCode>;

export function backendError(kind: ErrorKind, code: BackendErrorCode, message: string, options?: { cause?: unknown }): BackendError {
  return new TandemError(kind, code, message, options);
}

export const badRequest = (code: BackendErrorCode, message: string): BackendError => backendError("BadRequest", code, message);
export const notFound = (code: BackendErrorCode, message: string): BackendError => backendError("NotFound", code, message);
export const unauthenticated = (code: BackendErrorCode, message: string): BackendError =>
  backendError("Unauthenticated", code, message);
