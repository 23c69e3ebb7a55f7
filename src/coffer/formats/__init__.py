"""Package formats: per format, sans-IO parsing and rendering (names, metadata, index pages) plus
thin routes that call one service function each. ``formats/pypi`` is the reference layout."""
