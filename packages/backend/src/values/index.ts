/** Validation of Convex values against validators, value sizes and limits. */
export { typeOf, convexEquals, type ConvexType } from "./classify.js";
export { displayValue, displayValidator } from "./display.js";
export {
  validateValue,
  checkValue,
  formatFailure,
  type ValidationContext,
  type ValidationFailure,
} from "./validate.js";
export { validateArgs, validateReturns, validateDocument } from "./function-validators.js";
export { convexJsonSize } from "./size.js";
export {
  LIMITS,
  checkFieldName,
  checkValueLimits,
  checkArgsLimits,
  checkReturnLimits,
  checkDocumentLimits,
  assertWithinLimits,
  formatSize,
  type LimitCode,
  type LimitViolation,
} from "./limits.js";
