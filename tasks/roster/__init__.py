"""The inspectors (督学): who serves on a day (terms, exits, recusal), teams picked for inspections, the
督学责任区 and the 1:5 / 1:1 ratio, training hours, appraisal and exit, teams kept valid when the roster
changes, and the listed inspectors' published contacts.
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "lookups": ["candidates", "find_inspector", "find_unit", "record_history", "serving"],
    "teams": ["choose_team", "pick_team", "team_size", "year_load"],
    "zones": ["assign_zones", "ratio_report", "responsible_inspectors"],
    "records": ["Addressee", "add_training", "appraise", "dismiss", "flag_training_shortfalls", "remind_expiring_terms", "training_report"],
    "team_upkeep": ["declare_conflict", "keep_teams_valid"],
    "public_contacts": ["DEFAULT_PATH", "PublicContact", "listed_contacts", "read_contacts"],
})
