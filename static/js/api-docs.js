// Starts Swagger UI on /api/docs from a module, not an inline script: the Content-Security-Policy allows
// only the site's own script files. The settings come as JSON from the page.
const settings = JSON.parse(document.getElementById("swagger-settings").textContent);
const csrfToken = document.body.dataset.csrfToken;

window.ui = window.SwaggerUIBundle({
  ...settings,
  dom_id: "#swagger-ui",
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  // "Try it out" runs with the signed-in session, whose unsafe requests need the CSRF header.
  requestInterceptor: (request) => {
    request.headers["X-CSRFToken"] = csrfToken;
    return request;
  },
});
