// Swagger UI from the swagger-ui-bundle package, served by the emulator; without it, a plain list.
(function () {
  const root = document.getElementById("swagger");
  if (window.SwaggerUIBundle) {
    // validatorUrl null: Swagger UI would otherwise ask an outside validator about the spec.
    window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger", validatorUrl: null, deepLinking: true });
    return;
  }
  fetch("/openapi.json").then((r) => r.json()).then((spec) => {
    const rows = [];
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (typeof op !== "object" || !op.operationId) continue;
        rows.push(`<tr><td>${method.toUpperCase()}</td><td><code>${path}</code></td><td>${op.summary || ""}</td></tr>`);
      }
    }
    root.innerHTML = `<p>Swagger UI is not installed (pip install swagger-ui-bundle); the operations of the spec:</p>
      <table class="grid"><tr><th>method</th><th>path</th><th>what</th></tr>${rows.join("")}</table>`;
  });
})();
