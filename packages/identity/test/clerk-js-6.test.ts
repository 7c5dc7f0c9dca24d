import { runClerkJsConformance } from "./support/clerk-js-conformance.js";
runClerkJsConformance("clerk-js-6");
