package dev.conveyor.api.report;

import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

interface ReportRepository extends JpaRepository<Report, UUID> {

  /**
   * Joins the caller's transaction if there is one, else reads without one: a status read is one
   * primary-key select, and Spring Data's default (a read-only transaction) would add a BEGIN and a
   * COMMIT round trip to the busiest read of the API.
   */
  @Override
  @Transactional(propagation = Propagation.SUPPORTS, readOnly = true)
  Optional<Report> findById(UUID id);

  /** A JPQL string rather than a derived query, so Hibernate interprets it once and caches it. */
  @Query("select r from Report r where r.ownerId = :ownerId and r.idempotencyKey = :key")
  Optional<Report> findByOwnerIdAndIdempotencyKey(long ownerId, String key);

  /**
   * The report, locked (FOR UPDATE) until the transaction ends: worker events and cancellations of
   * one report are applied one at a time, each seeing the last one's result.
   */
  @Lock(LockModeType.PESSIMISTIC_WRITE)
  @Query("select r from Report r where r.id = :id")
  Optional<Report> findForUpdate(UUID id);

  /**
   * One page of the owner's reports in the given statuses, newest first, after the cursor {@code
   * (createdAt, id)} of the previous page's last row. Reads reports_owner_status_created_idx (one
   * status) or reports_owner_created_idx.
   */
  @Query(
      """
      select r from Report r
      where r.ownerId = :ownerId
        and r.status in :statuses
        and (r.createdAt < :createdAt or (r.createdAt = :createdAt and r.id < :id))
      order by r.createdAt desc, r.id desc
      """)
  List<Report> findPage(
      long ownerId, Collection<ReportStatus> statuses, Instant createdAt, UUID id, Limit limit);
}
