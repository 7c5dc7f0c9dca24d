/** The backend version `/version` and `/instance_version` report. */
export const BACKEND_VERSION = "tandem-0.1.0";
