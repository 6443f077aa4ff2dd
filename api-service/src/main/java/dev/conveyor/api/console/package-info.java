/**
 * The operations console under {@code /console} (issue 18): server-rendered Thymeleaf pages for
 * admins (overview, jobs, one job, schedules, reports, audit) over the queue's and the report
 * system's tables, and the actions an operator takes there (retry, cancel, delete, pause, limits,
 * schedules), each recorded in {@code console_audit} with who took it. Queries are bounded at any
 * backlog: see each SQL file's header and {@code ConsolePlanTests}. Sign-in, session and CSRF
 * belong to {@code auth}; controllers receive the signed-in admin as a {@code Caller}.
 */
@NullMarked
package dev.conveyor.api.console;

import org.jspecify.annotations.NullMarked;
