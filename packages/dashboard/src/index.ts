export { startDashboard, DEFAULT_DASHBOARD_PORT, type Dashboard, type DashboardOptions } from "./server.js";
export { CONTENT_SECURITY_POLICY } from "./page.js";
