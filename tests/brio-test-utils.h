/* brio-test-utils.h: helpers shared by the Brio test programs (dictionary
 * images, schemas from text, pressing and decoding blobs).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-glib/json-glib.h>

#include "alloy-brio-dictionary.h"
#include "alloy-brio-presser.h"
#include "alloy-brio-schema.h"

G_BEGIN_DECLS

/* A schema with a field of every kind, for the presser and decoder tests. */
#define BRIO_TEST_SCHEMA                             \
  "schema Test {\n"                                  \
  "  version: 1\n"                                   \
  "  root) item : Item\n"                            \
  "  structure Item {\n"                             \
  "    0) b : boolean\n"                             \
  "    1) y : byte\n"                                \
  "    2) s : short\n"                               \
  "    3) i : integer\n"                             \
  "    4) l : long\n"                                \
  "    5) d : double\n"                              \
  "    6) t : string\n"                              \
  "    7) longs : vector[long]\n"                    \
  "    8) texts : vector[string]\n"                  \
  "    9) tags : map[string,string]\n"               \
  "    10) codes : map[long,string]\n"               \
  "    11) child : Child\n"                          \
  "    12) children : vector[Child]\n"               \
  "  }\n"                                            \
  "  structure Child {\n"                            \
  "    0) name : string key\n"                       \
  "    1) values : vector[double]\n"                 \
  "  }\n"                                            \
  "}\n"

/* --- dictionary images --------------------------------------------------- */

/* Adds @utf8 and asserts success; returns its key. */
gint16 brio_test_add_word (AlloyBrioDictionary *dictionary, const char *utf8);

/* The image in a heap block of exactly its size, so that ASan and valgrind
 * see any read past it. */
guint8 *brio_test_image_of (const AlloyBrioDictionary *dictionary, gsize *out_size);

/* Little-endian int32 and int16 at any alignment. */
gint32 brio_test_get_i32 (const guint8 *at);
gint16 brio_test_get_i16 (const guint8 *at);
void brio_test_put_i32 (guint8 *at, gint32 value);
void brio_test_put_i16 (guint8 *at, gint16 value);

/* --- schemas, pressing and decoding -------------------------------------- */

/* A schema from @text written as NAME_v1.brio in a fresh directory. */
AlloyBrioSchema *brio_test_schema_from_text (const char *name, const char *text);

/* A presser of root version 1 with the default item limit. */
AlloyBrioPresser *brio_test_presser_for (AlloyBrioSchema *schema);

/* Decodes @blob, asserting success. */
JsonNode *brio_test_decode_blob (AlloyBrioSchema *schema, GBytes *blob);

/* Presses @item and decodes it, asserting success; the decoded node goes
 * to @out_node, its object is returned. */
JsonObject *brio_test_press_and_decode (AlloyBrioSchema *schema, AlloyBrioPresser *presser,
                                        const char *item, JsonNode **out_node);

/* A little-endian signed integer of @width bytes at any alignment. */
gint64 brio_test_get_le (const guint8 *at, guint width);

/* The data of the root Item's variable relation @slot (longs 0, texts 1,
 * tags 2, codes 3, ...) in a blob of BRIO_TEST_SCHEMA: the fixed area of
 * its Item ends at 38. */
const guint8 *brio_test_root_variable (GBytes *blob, guint slot);

G_END_DECLS
