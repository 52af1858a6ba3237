"""The spec machinery, apart from the server (like stripe-mock's spec/): loading the OpenAPI
document, validating requests and responses with openapi-core, the compiled per-operation
validators and the fastjsonschema fast path, and their caches. `http/` only calls it."""
