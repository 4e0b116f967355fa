/* alloy-gzip-members.c: every member of a gzip file, one after the other.
 *
 * The inner GZlibDecompressor returns G_CONVERTER_FINISHED at the end of a
 * member. Here that only marks a boundary: what follows must be the end of
 * the input or another gzip header, and the decompressor is reset for it.
 *
 * GConverterInputStream calls again as long as a call returns
 * G_CONVERTER_CONVERTED, even without progress, so a call that can make
 * none asks for input with G_IO_ERROR_PARTIAL_INPUT instead; and an error met
 * after some progress in the same call is left for the next call (it comes
 * back: the boundary check sees the same bytes, and zlib stays in its error
 * state), so that the progress is not lost.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-gzip-members.h"

struct _AlloyGzipMembers {
  GObject parent_instance;
  GConverter *inner;
  guint members;     /* decompressed to their end */
  gboolean between;  /* a member ended; the next byte starts another or is the end */
  gboolean consumed; /* some input was read */
};

static void alloy_gzip_members_iface_init (GConverterIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AlloyGzipMembers, alloy_gzip_members, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_CONVERTER,
                                                      alloy_gzip_members_iface_init))

static GConverterResult
alloy_gzip_members_convert (GConverter *converter, const void *inbuf, gsize inbuf_size,
                            void *outbuf, gsize outbuf_size, GConverterFlags flags,
                            gsize *bytes_read, gsize *bytes_written, GError **error)
{
  AlloyGzipMembers *self = ALLOY_GZIP_MEMBERS (converter);
  const guint8 *in = inbuf;
  guint8 *out = outbuf;
  gboolean at_end = (flags & G_CONVERTER_INPUT_AT_END) != 0;
  gsize nread = 0;
  gsize nwritten = 0;

  for (;;)
    {
      gsize left = inbuf_size - nread;
      gsize inner_read = 0;
      gsize inner_written = 0;
      GConverterResult result;
      GError *inner_error = NULL;

      if (self->between)
        {
          if (left == 0 && at_end)
            {
              *bytes_read = nread;
              *bytes_written = nwritten;
              return G_CONVERTER_FINISHED;
            }
          if (left == 0 && (flags & G_CONVERTER_FLUSH))
            {
              *bytes_read = nread;
              *bytes_written = nwritten;
              return G_CONVERTER_FLUSHED;
            }
          if (left > 0 && (in[nread] != 0x1f || (left >= 2 && in[nread + 1] != 0x8b)))
            {
              if (nread > 0 || nwritten > 0)
                break;
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "trailing data after gzip member %u", self->members);
              return G_CONVERTER_ERROR;
            }
          if (left < 2)
            {
              if (nread > 0 || nwritten > 0)
                break;
              if (at_end)
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                             "gzip member %u is truncated", self->members + 1);
              else
                g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                     "Need more input");
              return G_CONVERTER_ERROR;
            }
          g_converter_reset (self->inner);
          self->between = FALSE;
        }

      /* The output is full: zlib could not move. */
      if (nwritten == outbuf_size && (nread > 0 || nwritten > 0))
        break;

      result = g_converter_convert (self->inner, in + nread, left, out + nwritten,
                                    outbuf_size - nwritten, flags, &inner_read,
                                    &inner_written, &inner_error);
      if (result == G_CONVERTER_ERROR)
        {
          if (nread > 0 || nwritten > 0)
            {
              g_error_free (inner_error);
              break;
            }
          if (g_error_matches (inner_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) && at_end)
            {
              g_error_free (inner_error);
              if (!self->consumed && self->members == 0)
                g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                     "no gzip member: the input is empty");
              else
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                             "gzip member %u is truncated", self->members + 1);
              return G_CONVERTER_ERROR;
            }
          if (!g_error_matches (inner_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
            g_prefix_error (&inner_error, "gzip member %u: ", self->members + 1);
          g_propagate_error (error, inner_error);
          return G_CONVERTER_ERROR;
        }

      nread += inner_read;
      nwritten += inner_written;
      if (inner_read > 0)
        self->consumed = TRUE;
      if (result == G_CONVERTER_FINISHED)
        {
          self->members++;
          self->between = TRUE;
          continue;
        }
      *bytes_read = nread;
      *bytes_written = nwritten;
      return result; /* CONVERTED or FLUSHED */
    }

  *bytes_read = nread;
  *bytes_written = nwritten;
  return G_CONVERTER_CONVERTED;
}

static void
alloy_gzip_members_reset (GConverter *converter)
{
  AlloyGzipMembers *self = ALLOY_GZIP_MEMBERS (converter);

  g_converter_reset (self->inner);
  self->members = 0;
  self->between = FALSE;
  self->consumed = FALSE;
}

static void
alloy_gzip_members_iface_init (GConverterIface *iface)
{
  iface->convert = alloy_gzip_members_convert;
  iface->reset = alloy_gzip_members_reset;
}

static void
alloy_gzip_members_finalize (GObject *object)
{
  AlloyGzipMembers *self = ALLOY_GZIP_MEMBERS (object);

  g_clear_object (&self->inner);
  G_OBJECT_CLASS (alloy_gzip_members_parent_class)->finalize (object);
}

static void
alloy_gzip_members_class_init (AlloyGzipMembersClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = alloy_gzip_members_finalize;
}

static void
alloy_gzip_members_init (AlloyGzipMembers *self)
{
  self->inner = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP));
}

AlloyGzipMembers *
alloy_gzip_members_new (void)
{
  return g_object_new (ALLOY_TYPE_GZIP_MEMBERS, NULL);
}

guint
alloy_gzip_members_get_count (AlloyGzipMembers *self)
{
  g_return_val_if_fail (ALLOY_IS_GZIP_MEMBERS (self), 0);
  return self->members;
}
