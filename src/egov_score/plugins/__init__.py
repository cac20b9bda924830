"""The plugin layer: hook specifications, the plugin manager and discovery, scheme declarations
and their table checks, the registry (a facade over :mod:`.hooks`, :mod:`.catalogue`,
:mod:`.assembly`, :mod:`.tables` and :mod:`.loading`), the conformance kit, and the built-in
schemes (:mod:`.builtin`), registered exactly like third-party ones.
"""
