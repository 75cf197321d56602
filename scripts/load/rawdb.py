"""What the scripts that write without Ashar share with Ashar's own writer, so that their rates compare."""
import random, time, uuid

# The settings of the server's writer connection (SQLiteLedgerWriter): the write-ahead log, every commit
# waited for on the disk, freed pages wiped, foreign keys checked, a statement journal in memory and a
# page cache of 32 MB.
WRITER_PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "secure_delete=ON", "foreign_keys=ON",
                  "temp_store=MEMORY", "cache_size=-32768")


def time_ordered_uuid(postgres=False):
    """Version 7, as Ashar writes its rows' ids (UUID.timeOrdered): upper-case as SQLite keeps them."""
    value = (int(time.time() * 1000) << 80) | (0x7 << 76) | (random.getrandbits(12) << 64) | (0b10 << 62) | random.getrandbits(62)
    text = str(uuid.UUID(int=value))
    return text if postgres else text.upper()
