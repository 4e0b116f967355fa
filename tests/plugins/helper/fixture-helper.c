/* fixture-helper.c: a dependency for the missing_dep test plugin.
 * SPDX-License-Identifier: Apache-2.0 */
int alloy_fixture_helper_answer (void);

int
alloy_fixture_helper_answer (void)
{
  return 42;
}
