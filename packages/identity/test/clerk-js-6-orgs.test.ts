import { runClerkJsOrganizations } from "./support/clerk-js-orgs.js";
runClerkJsOrganizations("clerk-js-6");
