// Swagger UI on this server's OpenAPI document; a file of its own, since the site's content
// security policy runs no inline script.
window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
