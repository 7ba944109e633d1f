"""One function per field of an entry, each reading its generators' keys from :mod:`feedpub.sources.conventions`.

``text`` (title, summary, source, tags), ``when`` (date, updated, expires), ``address``
(category, url, id), ``image``, ``authors``, ``status`` (draft, redirect stub, page of the site).
Each takes the document (and what earlier fields found), returns the value and where it
came from, and adds what is wrong to the document's :class:`~feedpub.sources.fields.common.Problems`;
:func:`feedpub.sources.normalise.normalise` composes them.
"""
