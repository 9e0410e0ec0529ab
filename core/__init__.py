"""Helpers every app may use and no app owns: the floor of the import order (core ← sites ← wifi ← …).

No model of the programme lives here.
"""
