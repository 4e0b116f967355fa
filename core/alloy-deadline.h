/* alloy-deadline.h: a cancellable that a timer cancels, and that follows
 * the caller's cancellable: I/O calls take only one cancellable, and GIO's
 * connects and reads have no timeout of their own.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _AlloyDeadline AlloyDeadline;

/* Starts the timer (@timeout_ms > 0) on the thread-default main context.
 * @outer: (nullable): cancelling it cancels the deadline's cancellable. */
ALLOY_INTERNAL
AlloyDeadline *alloy_deadline_new (guint timeout_ms, GCancellable *outer);
/* Stops the timer and disconnects from the outer cancellable. */
ALLOY_INTERNAL
void alloy_deadline_free (AlloyDeadline *deadline);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyDeadline, alloy_deadline_free)

/* What to pass to the I/O calls. */
ALLOY_INTERNAL
GCancellable *alloy_deadline_get_cancellable (AlloyDeadline *deadline);
/* Whether the timer (not the caller) cancelled: a cancelled call then
 * failed by the deadline. */
ALLOY_INTERNAL
gboolean alloy_deadline_expired (AlloyDeadline *deadline);
/* The timeout, in seconds, for messages. */
ALLOY_INTERNAL
double alloy_deadline_get_seconds (AlloyDeadline *deadline);

G_END_DECLS
