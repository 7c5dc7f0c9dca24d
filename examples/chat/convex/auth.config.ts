// Tokens from the Tandem identity service (the Clerk role). `tandem dev` sets the deployment env
// var TANDEM_ISSUER_DOMAIN to its issuer URL, as the Clerk guide's CLERK_JWT_ISSUER_DOMAIN.
export default {
  providers: [
    {
      domain: process.env.TANDEM_ISSUER_DOMAIN,
      applicationID: "convex",
    },
  ],
};
