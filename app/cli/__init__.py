"""The ``kirie`` command line: ``main`` dispatches, one module per subcommand (``app.cli.<name>`` with
``add_arguments(parser)`` and ``run(args) -> int``).

Headless: may import ``rig``, ``inference``, ``app.render`` and ``app.tracking.puppet``; never Qt widgets
(``app.cli.main`` imports ``app.editor`` lazily, only to open the editor).
"""
