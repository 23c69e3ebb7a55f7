"""``coffer plan|apply -f coffer.toml``: domains, repositories, policies, origin controls and
package groups declared in one file, converged through the control-plane API.

``spec`` reads and validates the file (errors carry its line numbers), ``state`` reads what
the server has for the declared resources, ``diff`` compares the two into changes, and
``converge`` makes them.
"""
