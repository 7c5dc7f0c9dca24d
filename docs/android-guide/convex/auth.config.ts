// `tandem dev` sets CLERK_JWT_ISSUER_DOMAIN to its identity service's issuer (with --https, the public host).
export default {
  providers: [{ domain: process.env.CLERK_JWT_ISSUER_DOMAIN!, applicationID: "convex" }],
};
