"""Optional learned models: registry, download into the user cache, onnxruntime sessions."""
