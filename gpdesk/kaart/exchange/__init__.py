"""Bringing a sociale kaart in and out: Open Referral HSDS 3.0 packages and the practice's template.

Importing is a preview first, then one transaction that can be undone: ``importing`` is the face
(``plan_import``, ``apply_import``, ``undo_import``, ``list_import_batches``). A package is read
safely from disk by ``read`` (with ``limits``, ``records``, ``tables``, ``values``), or from the
practice's spreadsheet by ``template``; ``snapshot`` loads the kaart once, ``compare`` and
``removals`` work out the ``plan`` that the preview shows in ``naming``'s words; ``apply`` carries
it out and ``undo`` takes a batch back. ``export`` writes what the import reads: exactly the
tables of Open Referral's HSDS 3.0 descriptor (``hsds``), plus gpdesk's own extension file.
"""
