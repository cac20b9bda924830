"""The plugin layer: hook specifications, the plugin manager and discovery, scheme declarations
and their table checks, the conformance kit, and the built-in schemes (:mod:`.builtin`),
registered exactly like third-party ones.
"""
