// Swagger UI for /openapi.json, from the vendored bundle: no CDN, and no inline script (CSP).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  validatorUrl: null,        // the default posts the spec to an outside validator
  deepLinking: true,
});
