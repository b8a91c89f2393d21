"""Beheer → Sociale kaart: the list, the edit dialogs and the import, for the praktijkmanager.

``tab`` lays out the list and decides nothing; ``controller`` does what its buttons ask, with
``contact_actions`` and ``import_actions`` for contacts and import, and ``save_feedback`` for
what a save that ran in the background says. The dialogs: ``service_dialog`` (with
``service_pages``, ``service_tables``, ``fields``), ``editor`` and ``edit_dialog`` (organisation
and contact), ``contact_changes`` (a contact who leaves, before Opslaan) and ``import_dialog``
(the preview). ``models`` feeds the list.
"""
