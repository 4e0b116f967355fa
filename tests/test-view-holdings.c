/* test-view-holdings.c: stub, being written.
 * SPDX-License-Identifier: Apache-2.0 */
#include "alloy-test-utils.h"

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  return g_test_run ();
}
