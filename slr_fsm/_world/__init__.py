"""The world's private kernel: its components, composed by :mod:`slr_fsm.world` (the only importer).

state (every container, declared once), directory (who is who), scheduler (the clock and the
work it runs), journal (the event log and the lock), role_ops (judge and apply), usage (what
keeps each role in use), persistence (snapshot and restore).
"""
