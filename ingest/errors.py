"""The errors a user can act on. Each message names the file and the reason."""


class IngestError(Exception):
    """Base class: anything raised on purpose for bad input or bad data."""


class ReadError(IngestError):
    """An input file that cannot be read as an article."""


class DataFileError(IngestError):
    """A gazetteer, topic rules or gold file that does not validate."""


class DatabaseError(IngestError):
    """A database that is not an ingest database or fails its checks."""
