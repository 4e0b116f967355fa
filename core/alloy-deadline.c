/* alloy-deadline.c: a cancellable that a timer cancels.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-deadline.h"

struct _AlloyDeadline {
  guint timeout_ms;
  GCancellable *cancellable;
  GCancellable *outer;
  gulong outer_id;
  GSource *timer;
  gboolean expired;
};

static void
on_outer_cancelled (GCancellable *outer, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
on_timer (gpointer user_data)
{
  AlloyDeadline *deadline = user_data;

  deadline->expired = TRUE;
  g_cancellable_cancel (deadline->cancellable);
  return G_SOURCE_REMOVE;
}

AlloyDeadline *
alloy_deadline_new (guint timeout_ms, GCancellable *outer)
{
  AlloyDeadline *deadline = g_new0 (AlloyDeadline, 1);

  g_return_val_if_fail (timeout_ms > 0, NULL);

  deadline->timeout_ms = timeout_ms;
  deadline->cancellable = g_cancellable_new ();
  if (outer != NULL)
    {
      deadline->outer = g_object_ref (outer);
      /* The handler holds the inner cancellable, not the deadline: it may
       * run on another thread while the deadline is freed. */
      deadline->outer_id = g_cancellable_connect (outer, G_CALLBACK (on_outer_cancelled),
                                                  g_object_ref (deadline->cancellable),
                                                  g_object_unref);
    }
  deadline->timer = g_timeout_source_new (timeout_ms);
  g_source_set_callback (deadline->timer, on_timer, deadline, NULL);
  g_source_attach (deadline->timer, g_main_context_get_thread_default ());
  return deadline;
}

void
alloy_deadline_free (AlloyDeadline *deadline)
{
  if (deadline == NULL)
    return;
  g_source_destroy (deadline->timer);
  g_source_unref (deadline->timer);
  if (deadline->outer_id != 0)
    g_cancellable_disconnect (deadline->outer, deadline->outer_id);
  g_clear_object (&deadline->outer);
  g_object_unref (deadline->cancellable);
  g_free (deadline);
}

GCancellable *
alloy_deadline_get_cancellable (AlloyDeadline *deadline)
{
  return deadline->cancellable;
}

gboolean
alloy_deadline_expired (AlloyDeadline *deadline)
{
  return deadline->expired;
}

double
alloy_deadline_get_seconds (AlloyDeadline *deadline)
{
  return deadline->timeout_ms / 1000.0;
}
