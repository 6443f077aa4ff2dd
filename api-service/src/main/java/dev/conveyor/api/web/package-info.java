/**
 * HTTP plumbing every feature shares: RFC 9457 problem details for every error ({@link
 * ProblemHandler}, {@link ProblemErrorController}, and {@link ProblemErrorReportValve} for what
 * Tomcat refuses itself), {@link ApiException} for features to raise them, and request size limits
 * ({@link RequestSizeLimitFilter}).
 */
@NullMarked
package dev.conveyor.api.web;

import org.jspecify.annotations.NullMarked;
