// Starts Swagger UI on /docs. A module of its own, not an inline script, so the page keeps the app's CSP.
// Swagger UI's own bundle is a classic script (a vendored package, loaded before this deferred module).
const root = document.getElementById('swagger-ui');
window.SwaggerUIBundle({
  url: root.dataset.spec,
  domNode: root,
  deepLinking: true,
  // No badge from the public validator: the page loads nothing from other hosts.
  validatorUrl: null,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
