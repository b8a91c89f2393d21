"""Reading the sociale kaart from the database: plain frozen results, never ORM objects.

``queries`` is where callers read (the list, the search documents, a service in full, themes,
"gecontroleerd" stamps); ``refs`` holds the frozen shapes they return, ``detail`` builds one
service in full, ``contacts`` picks whom to call, ``loading`` keeps every reader at a fixed
number of queries.
"""
