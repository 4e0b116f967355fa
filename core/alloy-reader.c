/* alloy-reader.c: the reader interface and the item iterator base class.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-private.h"

G_DEFINE_QUARK (alloy-reader-error-quark, alloy_reader_error)

G_DEFINE_ABSTRACT_TYPE (AlloyItemIter, alloy_item_iter, G_TYPE_OBJECT)

static void
alloy_item_iter_class_init (AlloyItemIterClass *klass)
{
}

static void
alloy_item_iter_init (AlloyItemIter *self)
{
}

gboolean
alloy_item_iter_next (AlloyItemIter *self, GBytes **item, AlloyItemLocation *location,
                      GCancellable *cancellable, GError **error)
{
  AlloyItemIterClass *klass;
  gboolean ok;

  g_return_val_if_fail (ALLOY_IS_ITEM_ITER (self), FALSE);
  g_return_val_if_fail (item != NULL && location != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  klass = ALLOY_ITEM_ITER_GET_CLASS (self);
  g_return_val_if_fail (klass->next != NULL, FALSE);

  *item = NULL;
  memset (location, 0, sizeof *location);
  ok = klass->next (self, item, location, cancellable, error);
  /* The contract is what callers rely on to never drop an item silently. */
  g_warn_if_fail (ok == (*item != NULL));
  return ok;
}

G_DEFINE_INTERFACE (AlloyReader, alloy_reader, ALLOY_TYPE_PLUGIN_INSTANCE)

static guint
default_probe (AlloyReader *self, const char *basename, const guint8 *head, gsize head_len)
{
  return 0;
}

static void
alloy_reader_default_init (AlloyReaderInterface *iface)
{
  iface->probe = default_probe;
}

guint
alloy_reader_probe (AlloyReader *self, const char *basename, const guint8 *head, gsize head_len)
{
  g_return_val_if_fail (ALLOY_IS_READER (self), 0);

  return ALLOY_READER_GET_IFACE (self)->probe (self, basename, head, head_len);
}

AlloyItemIter *
alloy_reader_open (AlloyReader *self, GInputStream *stream, const AlloyReaderInput *input,
                   GCancellable *cancellable, GError **error)
{
  AlloyReaderInterface *iface;

  g_return_val_if_fail (ALLOY_IS_READER (self), NULL);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (input != NULL, NULL);

  iface = ALLOY_READER_GET_IFACE (self);
  if (iface->open == NULL)
    {
      g_set_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_UNSUPPORTED,
                   "reader %s cannot open input", G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  return iface->open (self, stream, input, cancellable, error);
}
