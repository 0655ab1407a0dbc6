/**
 * The block write-ahead log: {@link io.lakestream.wal.block.BlockWal} on one preallocated
 * local or EBS file, configured by {@link io.lakestream.wal.block.BlockWalConfig}.
 *
 * <p>Inside, each concern has its own class: the file and its two header slots
 * ({@code WalFile}, {@code WalHeader}), the frame format ({@code WalFrame}), recovery
 * ({@code FrameScanner}), the hand-off from callers to the writer ({@code RequestQueue}) and
 * the writer thread's group commit loop ({@code GroupCommitWriter}).
 */
package io.lakestream.wal.block;
