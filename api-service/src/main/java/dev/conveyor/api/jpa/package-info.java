/** JPA pieces the business entities share. */
@NullMarked
package dev.conveyor.api.jpa;

import org.jspecify.annotations.NullMarked;
