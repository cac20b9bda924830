"""The built-in scheme plugins, one module each, registered like any third-party plugin.

``emitra`` (e-Mitra Plus machines and kiosks), ``pension`` (social security pensions),
``housing`` (PMAY-Gramin), ``nrega`` (MGNREGA), ``slwm`` (solid and liquid waste management,
SBM-G phase II) and ``sampark`` (the Rajasthan Sampark grievance portal). Their raw tables,
fields and indicators are documented in ``docs/plugins/<code>.md``.
"""
