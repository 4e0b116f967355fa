/* alloy-brio-dictionary.c: the per-item string dictionary of a Brio blob.
 *
 * The builder appends slots to one buffer in insertion order, exactly as
 * Burst's Java writer does, and finds duplicates through an open-addressing
 * table keyed by the Java hash it needs for the bucket anyway. The view
 * checks a whole image once, so that lookups can trust it.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-dictionary.h"

#include <string.h>

#define HEADER_SIZE ALLOY_BRIO_DICTIONARY_HEADER_SIZE
#define N_BUCKETS ALLOY_BRIO_DICTIONARY_BUCKETS
#define BUCKETS_AT 12
#define SLOT_HEADER_SIZE 8
#define MAX_STRING_BYTES G_MAXINT16
/* Keys hold 10 ordinal bits above the 6 bucket bits. */
#define MAX_ORDINAL 1023
/* Java reserves this many bytes at the end of its buffer. */
#define CAPACITY_RESERVE 512
/* Burst's BrioDictionaryNotFound. */
#define NOT_FOUND_KEY ((gint16) -1)

/* --- little-endian access ------------------------------------------------- */

static inline gint32
read_i32 (const guint8 *at)
{
  guint32 le;

  memcpy (&le, at, sizeof le);
  return (gint32) GUINT32_FROM_LE (le);
}

static inline gint16
read_i16 (const guint8 *at)
{
  guint16 le;

  memcpy (&le, at, sizeof le);
  return (gint16) GUINT16_FROM_LE (le);
}

static inline void
write_i32 (guint8 *at, gint32 value)
{
  guint32 le = GUINT32_TO_LE ((guint32) value);

  memcpy (at, &le, sizeof le);
}

static inline void
write_i16 (guint8 *at, gint16 value)
{
  guint16 le = GUINT16_TO_LE ((guint16) value);

  memcpy (at, &le, sizeof le);
}

/* --- Java's String.hashCode ----------------------------------------------- */

static inline gboolean
is_continuation (guint8 byte)
{
  return (byte & 0xC0) == 0x80;
}

/* The length of the sequence a UTF-8 lead byte starts (0 if it starts
 * none) and the code point bits it carries. */
static inline gsize
utf8_lead (guint8 lead, guint32 *out_bits)
{
  if (lead >= 0xC2 && lead <= 0xDF)
    {
      *out_bits = lead & 0x1F;
      return 2;
    }
  if (lead >= 0xE0 && lead <= 0xEF)
    {
      *out_bits = lead & 0x0F;
      return 3;
    }
  if (lead >= 0xF0 && lead <= 0xF4)
    {
      *out_bits = lead & 0x07;
      return 4;
    }
  return 0;
}

/* Decodes from the first non-ASCII byte on. Malformed input (the caller
 * promised there is none) counts as one U+FFFD per bad byte: deterministic,
 * and never a read past @end. */
static guint32
hash_utf8_tail (guint32 h, const guint8 *p, const guint8 *end)
{
  static const guint32 smallest[] = { 0, 0, 0x80, 0x800, 0x10000 };

  while (p < end)
    {
      guint32 code_point = 0;
      gsize n, i;

      if (*p < 0x80)
        {
          h = 31 * h + *p++;
          continue;
        }
      n = utf8_lead (*p, &code_point);
      for (i = 1; i < n && p + i < end && is_continuation (p[i]); i++)
        code_point = (code_point << 6) | (p[i] & 0x3F);
      /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8
       * either. */
      if (n == 0 || i < n || code_point < smallest[n] || code_point > 0x10FFFF
          || (code_point >= 0xD800 && code_point <= 0xDFFF))
        {
          h = 31 * h + 0xFFFD;
          p++;
          continue;
        }
      if (code_point >= 0x10000)
        {
          /* Java sees the UTF-16 surrogate pair. */
          code_point -= 0x10000;
          h = 31 * h + (0xD800 + (code_point >> 10));
          h = 31 * h + (0xDC00 + (code_point & 0x3FF));
        }
      else
        h = 31 * h + code_point;
      p += n;
    }
  return h;
}

gint32
alloy_brio_java_string_hash (const char *utf8, gssize length)
{
  const guint8 *p = (const guint8 *) utf8;
  const guint8 *end;
  guint32 h = 0;

  if (utf8 == NULL)
    return 0;
  end = p + (length < 0 ? strlen (utf8) : (gsize) length);
  /* ASCII is one UTF-16 unit per byte: the common case by far. */
  while (p < end && *p < 0x80)
    h = 31 * h + *p++;
  if (p < end)
    h = hash_utf8_tail (h, p, end);
  return (gint32) h;
}

guint
alloy_brio_dictionary_bucket (gint32 hash)
{
  /* Java: Math.abs(Integer.MIN_VALUE) is itself, and MIN_VALUE % 64 is 0. */
  if (hash == G_MININT32)
    return 0;
  return (guint) ABS (hash) % N_BUCKETS;
}

/* --- the builder ---------------------------------------------------------- */

/* A dedup table entry. @generation tells live entries from those of items
 * before the last reset, so that a reset clears nothing. */
typedef struct {
  guint32 generation;
  gint32 hash;
  guint32 slot;   /* offset of the slot in the slot buffer */
  guint16 length;
  gint16 key;
} Entry;

struct _AlloyBrioDictionary {
  gsize capacity;
  gsize limit;           /* the image must stay below this size */

  guint8 *slots;         /* the image from offset HEADER_SIZE on */
  gsize slots_len;
  gsize slots_allocated;

  guint n_words;
  gint32 heads[N_BUCKETS];  /* image offsets, 0 = empty chain */
  gint32 tails[N_BUCKETS];
  guint chain_len[N_BUCKETS];

  Entry *table;
  guint table_bits;
  guint32 generation;
};

#define TABLE_INITIAL_BITS 8

static inline guint
table_index (gint32 hash, guint bits)
{
  /* Fibonacci hashing spreads Java's weak low bits over the table. */
  return ((guint32) hash * 0x9E3779B1u) >> (32 - bits);
}

AlloyBrioDictionary *
alloy_brio_dictionary_new (gsize capacity)
{
  AlloyBrioDictionary *self = g_new0 (AlloyBrioDictionary, 1);

  /* Image offsets are int32. */
  self->capacity = MIN (capacity, (gsize) G_MAXINT32);
  self->limit = self->capacity > CAPACITY_RESERVE ? self->capacity - CAPACITY_RESERVE : 0;
  self->table_bits = TABLE_INITIAL_BITS;
  self->table = g_new0 (Entry, 1u << self->table_bits);
  self->generation = 1;
  return self;
}

void
alloy_brio_dictionary_free (AlloyBrioDictionary *dictionary)
{
  if (dictionary == NULL)
    return;
  g_free (dictionary->slots);
  g_free (dictionary->table);
  g_free (dictionary);
}

void
alloy_brio_dictionary_reset (AlloyBrioDictionary *dictionary)
{
  g_return_if_fail (dictionary != NULL);

  dictionary->slots_len = 0;
  dictionary->n_words = 0;
  memset (dictionary->heads, 0, sizeof dictionary->heads);
  memset (dictionary->tails, 0, sizeof dictionary->tails);
  memset (dictionary->chain_len, 0, sizeof dictionary->chain_len);
  if (++dictionary->generation == 0)
    {
      /* Once in 2^32 resets, entries of old generations could look live. */
      memset (dictionary->table, 0, sizeof (Entry) << dictionary->table_bits);
      dictionary->generation = 1;
    }
}

/* The entry holding @utf8, or the free entry where it belongs. */
static Entry *
table_find (const AlloyBrioDictionary *self, const char *utf8, gsize length, gint32 hash)
{
  guint mask = (1u << self->table_bits) - 1;
  guint i = table_index (hash, self->table_bits);

  for (;; i = (i + 1) & mask)
    {
      Entry *entry = &self->table[i];

      if (entry->generation != self->generation)
        return entry;
      if (entry->hash == hash && entry->length == length
          && (length == 0
              || memcmp (self->slots + entry->slot + SLOT_HEADER_SIZE, utf8, length) == 0))
        return entry;
    }
}

/* Keeps the load under one half, so that probes stay short. */
static void
table_grow_if_needed (AlloyBrioDictionary *self)
{
  Entry *old = self->table;
  guint old_size = 1u << self->table_bits;
  guint mask;

  if ((self->n_words + 1) * 2 <= old_size)
    return;
  self->table_bits++;
  self->table = g_new0 (Entry, 1u << self->table_bits);
  mask = (1u << self->table_bits) - 1;
  for (guint i = 0; i < old_size; i++)
    {
      guint j;

      if (old[i].generation != self->generation)
        continue;
      for (j = table_index (old[i].hash, self->table_bits);
           self->table[j].generation == self->generation; j = (j + 1) & mask)
        ;
      self->table[j] = old[i];
    }
  g_free (old);
}

static void
slots_reserve (AlloyBrioDictionary *self, gsize more)
{
  gsize needed = self->slots_len + more;
  gsize allocated = MAX (self->slots_allocated, 4096);

  if (needed <= self->slots_allocated)
    return;
  while (allocated < needed)
    allocated *= 2;
  self->slots = g_realloc (self->slots, allocated);
  self->slots_allocated = allocated;
}

gboolean
alloy_brio_dictionary_add (AlloyBrioDictionary *dictionary, const char *utf8, gsize length,
                           gint16 *out_key, GError **error)
{
  AlloyBrioDictionary *self = dictionary;
  gint32 hash;
  guint bucket, ordinal;
  gsize image_size, new_size;
  gint32 slot_at;
  guint8 *slot;
  Entry *entry;
  gint16 key;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (utf8 != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (length > MAX_STRING_BYTES)
    {
      g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_TOO_LARGE,
                   "a string of %" G_GSIZE_FORMAT " bytes, over the dictionary's limit of %d "
                   "bytes per string", length, MAX_STRING_BYTES);
      return FALSE;
    }

  hash = alloy_brio_java_string_hash (utf8, (gssize) length);
  entry = table_find (self, utf8, length, hash);
  if (entry->generation == self->generation)
    {
      if (out_key != NULL)
        *out_key = entry->key;
      return TRUE;
    }

  /* Java gives the head ordinal 0 and the next ones 2, 3, ... */
  bucket = alloy_brio_dictionary_bucket (hash);
  ordinal = self->chain_len[bucket] == 0 ? 0 : self->chain_len[bucket] + 1;
  if (ordinal > MAX_ORDINAL)
    {
      g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_TOO_LARGE,
                   "dictionary bucket %u already holds %u strings: a new one would need "
                   "ordinal %u, over the limit of %d", bucket, self->chain_len[bucket], ordinal,
                   MAX_ORDINAL);
      return FALSE;
    }
  key = (gint16) (guint16) ((ordinal << 6) | bucket);
  /* Java would hand out -1 here, which cells read as "not found". */
  if (key == NOT_FOUND_KEY)
    {
      g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_TOO_LARGE,
                   "dictionary bucket %u already holds %u strings: the next key, 0xffff, "
                   "is Burst's not-found key", bucket, self->chain_len[bucket]);
      return FALSE;
    }

  image_size = HEADER_SIZE + self->slots_len;
  new_size = image_size + SLOT_HEADER_SIZE + length;
  if (new_size >= self->limit)
    {
      g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_TOO_LARGE,
                   "dictionary full: a %" G_GSIZE_FORMAT "-byte string would grow it from %"
                   G_GSIZE_FORMAT " to %" G_GSIZE_FORMAT " bytes, reaching its limit of %"
                   G_GSIZE_FORMAT " bytes (a capacity of %" G_GSIZE_FORMAT " bytes less Java's "
                   "%d-byte reserve)", length, self->n_words > 0 ? image_size : 0, new_size,
                   self->limit, self->capacity, CAPACITY_RESERVE);
      return FALSE;
    }

  /* Nothing can fail from here on: the item is never half-added. */
  slots_reserve (self, SLOT_HEADER_SIZE + length);
  table_grow_if_needed (self);
  entry = table_find (self, utf8, length, hash);

  slot_at = (gint32) image_size;
  slot = self->slots + self->slots_len;
  write_i16 (slot, key);
  write_i32 (slot + 2, 0);
  write_i16 (slot + 6, (gint16) length);
  if (length > 0)
    memcpy (slot + SLOT_HEADER_SIZE, utf8, length);

  if (self->heads[bucket] == 0)
    self->heads[bucket] = slot_at;
  else
    write_i32 (self->slots + (self->tails[bucket] - HEADER_SIZE) + 2, slot_at);
  self->tails[bucket] = slot_at;
  self->chain_len[bucket]++;

  *entry = (Entry) {
    .generation = self->generation,
    .hash = hash,
    .slot = (guint32) self->slots_len,
    .length = (guint16) length,
    .key = key,
  };
  self->slots_len += SLOT_HEADER_SIZE + length;
  self->n_words++;

  if (out_key != NULL)
    *out_key = key;
  return TRUE;
}

guint
alloy_brio_dictionary_get_n_words (const AlloyBrioDictionary *dictionary)
{
  g_return_val_if_fail (dictionary != NULL, 0);

  return dictionary->n_words;
}

gsize
alloy_brio_dictionary_get_size (const AlloyBrioDictionary *dictionary)
{
  g_return_val_if_fail (dictionary != NULL, 0);

  /* Java's nextSlotOffset stays 0 until the first slot. */
  return dictionary->n_words == 0 ? 0 : HEADER_SIZE + dictionary->slots_len;
}

void
alloy_brio_dictionary_write (const AlloyBrioDictionary *dictionary, guint8 *out)
{
  gsize size;

  g_return_if_fail (dictionary != NULL);

  size = alloy_brio_dictionary_get_size (dictionary);
  if (size == 0)
    return;
  write_i32 (out, (gint32) dictionary->n_words);
  write_i32 (out + 4, 0);
  write_i32 (out + 8, (gint32) size);
  for (guint b = 0; b < N_BUCKETS; b++)
    write_i32 (out + BUCKETS_AT + 4 * b, dictionary->heads[b]);
  memcpy (out + HEADER_SIZE, dictionary->slots, dictionary->slots_len);
}

/* --- the view ------------------------------------------------------------- */

static gboolean
corrupt (GError **error, gsize offset, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
corrupt (GError **error, gsize offset, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT,
               "offset %" G_GSIZE_FORMAT ": %s", offset, message);
  return FALSE;
}

/* UTF-8 as Java writes it; NUL bytes are fine (JSON's \u0000). */
static gboolean
find_invalid_utf8 (const guint8 *bytes, gsize length, gsize *out_at)
{
  const char *p = (const char *) bytes;
  const char *end = p + length;

  while (p < end)
    {
      const char *stop;

      if (g_utf8_validate_len (p, end - p, &stop))
        return FALSE;
      if (*stop != '\0')
        {
          *out_at = stop - (const char *) bytes;
          return TRUE;
        }
      p = stop + 1;
    }
  return FALSE;
}

/* The index of the slot starting at @offset, or -1. The high bit of each
 * entry is the walk's "visited" mark. */
static gssize
find_slot (const guint32 *starts, guint n, gint32 offset)
{
  guint low = 0, high = n;

  if (offset < HEADER_SIZE)
    return -1;
  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      guint32 start = starts[middle] & G_MAXINT32;

      if (start == (guint32) offset)
        return middle;
      if (start < (guint32) offset)
        low = middle + 1;
      else
        high = middle;
    }
  return -1;
}

/* Every slot lies inside the image and tiles it; each string is UTF-8 and
 * hashes to the bucket its key names. Fills @starts when not NULL. */
static gboolean
check_slots (const guint8 *data, gsize size, guint *out_n, guint32 *starts, GError **error)
{
  gsize at = HEADER_SIZE;
  guint n = 0;

  while (at < size)
    {
      gint16 key, length;
      gsize invalid_at;
      guint bucket;

      if (size - at < SLOT_HEADER_SIZE)
        return corrupt (error, at, "a slot header of %d bytes runs past the end of the "
                        "%" G_GSIZE_FORMAT "-byte image", SLOT_HEADER_SIZE, size);
      key = read_i16 (data + at);
      length = read_i16 (data + at + 6);
      if (length < 0)
        return corrupt (error, at + 6, "a negative string length %d", length);
      if (size - at - SLOT_HEADER_SIZE < (gsize) length)
        return corrupt (error, at + 6, "a string of %d bytes runs past the end of the "
                        "%" G_GSIZE_FORMAT "-byte image", length, size);
      if (starts != NULL)
        {
          const guint8 *text = data + at + SLOT_HEADER_SIZE;

          if (find_invalid_utf8 (text, length, &invalid_at))
            return corrupt (error, at + SLOT_HEADER_SIZE + invalid_at, "the string of the "
                            "slot at offset %" G_GSIZE_FORMAT " is not valid UTF-8", at);
          bucket = alloy_brio_dictionary_bucket (
            alloy_brio_java_string_hash ((const char *) text, length));
          if (bucket != ((guint16) key & 0x3F))
            return corrupt (error, at, "key 0x%04x names bucket %u, but its string hashes to "
                            "bucket %u", (guint16) key, (guint16) key & 0x3F, bucket);
          starts[n] = (guint32) at;
        }
      n++;
      at += SLOT_HEADER_SIZE + (gsize) length;
    }
  *out_n = n;
  return TRUE;
}

/* Every chain link lands on a slot of its bucket, no chain loops or
 * repeats a key, and every slot is in a chain. */
static gboolean
check_chains (const guint8 *data, guint32 *starts, guint n, GError **error)
{
  guint reached = 0;

  for (guint bucket = 0; bucket < N_BUCKETS; bucket++)
    {
      guint64 ordinals[(MAX_ORDINAL + 1) / 64] = { 0 };
      gsize link_at = BUCKETS_AT + 4 * bucket;
      gint32 offset;

      while ((offset = read_i32 (data + link_at)) != 0)
        {
          gssize index = find_slot (starts, n, offset);
          guint16 key;
          guint ordinal;

          if (index < 0)
            return corrupt (error, link_at, "%s %d of bucket %u's chain is not the start of a "
                            "slot", link_at < HEADER_SIZE ? "head" : "link", offset, bucket);
          key = (guint16) read_i16 (data + offset);
          if ((key & 0x3F) != bucket)
            return corrupt (error, offset, "key 0x%04x names bucket %u, but the slot is in "
                            "bucket %u's chain", key, key & 0x3F, bucket);
          /* Each slot is visited once, so every walk ends within the
           * word count. */
          if (starts[index] & 0x80000000u)
            return corrupt (error, link_at, "link %d closes a cycle in bucket %u's chain",
                            offset, bucket);
          starts[index] |= 0x80000000u;
          reached++;
          ordinal = key >> 6;
          if (ordinals[ordinal / 64] & (G_GUINT64_CONSTANT (1) << (ordinal % 64)))
            return corrupt (error, offset, "key 0x%04x appears twice in bucket %u's chain", key,
                            bucket);
          ordinals[ordinal / 64] |= G_GUINT64_CONSTANT (1) << (ordinal % 64);
          link_at = offset + 2;
        }
    }

  if (reached != n)
    for (guint i = 0; i < n; i++)
      if (!(starts[i] & 0x80000000u))
        return corrupt (error, starts[i], "the slot is in no bucket's chain");
  return TRUE;
}

gboolean
alloy_brio_dictionary_view_init (AlloyBrioDictionaryView *view, const guint8 *data, gsize size,
                                 GError **error)
{
  guint32 stack_starts[128];
  g_autofree guint32 *heap_starts = NULL;
  guint32 *starts;
  gint32 words, next_slot;
  guint n;

  g_return_val_if_fail (view != NULL, FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A failed view reads as empty. */
  *view = (AlloyBrioDictionaryView) { NULL, 0, 0 };
  if (size == 0)
    return TRUE;
  if (size < HEADER_SIZE)
    return corrupt (error, 0, "a %" G_GSIZE_FORMAT "-byte image is shorter than the %d-byte "
                    "header", size, HEADER_SIZE);
  if (size > G_MAXINT32)
    return corrupt (error, 0, "a %" G_GSIZE_FORMAT "-byte image is past the reach of int32 "
                    "offsets", size);
  words = read_i32 (data);
  next_slot = read_i32 (data + 8);
  if (next_slot < 0 || (gsize) next_slot != size)
    return corrupt (error, 8, "nextSlotOffset %d, but the image is %" G_GSIZE_FORMAT " bytes",
                    next_slot, size);

  /* Java marks an overflowed dictionary so and may leave the rest
   * half-written: lookups fail, so nothing else is read. */
  if (words >= 0)
    {
      if (!check_slots (data, size, &n, NULL, error))
        return FALSE;
      if ((guint) words != n)
        return corrupt (error, 0, "a word count of %d, but the image holds %u slots", words,
                        n);
      starts = n <= G_N_ELEMENTS (stack_starts) ? stack_starts
                                                : (heap_starts = g_new (guint32, n));
      if (!check_slots (data, size, &n, starts, error) || !check_chains (data, starts, n, error))
        return FALSE;
    }

  view->data = data;
  view->size = size;
  view->words = words;
  return TRUE;
}

/* The slot at @offset, if it lies inside the image: lookups stay in bounds
 * even on a view that view_init did not check. */
static gboolean
read_slot (const AlloyBrioDictionaryView *view, gint32 offset, gint16 *out_key,
           gint32 *out_link, const guint8 **out_text, gsize *out_length)
{
  gint16 length;

  if (offset < HEADER_SIZE || (gsize) offset > view->size - SLOT_HEADER_SIZE)
    return FALSE;
  length = read_i16 (view->data + offset + 6);
  if (length < 0 || (gsize) length > view->size - SLOT_HEADER_SIZE - offset)
    return FALSE;
  *out_key = read_i16 (view->data + offset);
  *out_link = read_i32 (view->data + offset + 2);
  *out_text = view->data + offset + SLOT_HEADER_SIZE;
  *out_length = (gsize) length;
  return TRUE;
}

static gboolean
view_is_readable (const AlloyBrioDictionaryView *view)
{
  return view->words > 0 && view->data != NULL && view->size >= HEADER_SIZE;
}

gboolean
alloy_brio_dictionary_view_lookup_key (const AlloyBrioDictionaryView *view, gint16 key,
                                       const char **out_utf8, gsize *out_length,
                                       GError **error)
{
  guint bucket = (guint16) key & 0x3F;
  gint32 offset;

  g_return_val_if_fail (view != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (view->words < 0)
    {
      g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT,
                   "the dictionary overflowed when it was written (words %d): no string can "
                   "be looked up", view->words);
      return FALSE;
    }
  if (!view_is_readable (view))
    {
      g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT,
                   "key 0x%04x: the dictionary is empty", (guint16) key);
      return FALSE;
    }

  offset = read_i32 (view->data + BUCKETS_AT + 4 * bucket);
  for (gint32 steps = 0; offset != 0 && steps < view->words; steps++)
    {
      const guint8 *text;
      gsize length;
      gint16 slot_key;
      gint32 link;

      if (!read_slot (view, offset, &slot_key, &link, &text, &length))
        break;
      if (slot_key == key)
        {
          if (out_utf8 != NULL)
            *out_utf8 = (const char *) text;
          if (out_length != NULL)
            *out_length = length;
          return TRUE;
        }
      offset = link;
    }
  g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT,
               "key 0x%04x is not in bucket %u's chain", (guint16) key, bucket);
  return FALSE;
}

gboolean
alloy_brio_dictionary_view_lookup_string (const AlloyBrioDictionaryView *view, const char *utf8,
                                          gsize length, gint16 *out_key)
{
  gint32 offset;

  g_return_val_if_fail (view != NULL, FALSE);
  g_return_val_if_fail (utf8 != NULL || length == 0, FALSE);

  if (!view_is_readable (view))
    return FALSE;

  /* As a cell does: the literal's Java hash picks the chain. */
  offset = read_i32 (view->data + BUCKETS_AT
                     + 4 * alloy_brio_dictionary_bucket (
                       alloy_brio_java_string_hash (utf8, (gssize) length)));
  for (gint32 steps = 0; offset != 0 && steps < view->words; steps++)
    {
      const guint8 *text;
      gsize slot_length;
      gint16 key;
      gint32 link;

      if (!read_slot (view, offset, &key, &link, &text, &slot_length))
        return FALSE;
      if (slot_length == length && (length == 0 || memcmp (text, utf8, length) == 0))
        {
          if (out_key != NULL)
            *out_key = key;
          return TRUE;
        }
      offset = link;
    }
  return FALSE;
}
