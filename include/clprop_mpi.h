/* clprop over MPI: data-parallel training across processes and hosts (docs/SCALING.md).
 *
 * A program started by mpirun initialises MPI, makes a clprop_mpi over a communicator and hands
 * its collective to clprop_trainer_desc.collective: every process then trains the same network
 * on its part of each global batch, the gradients summed with MPI_Allreduce once per step. Each
 * process gives the trainer the same settings and the whole training set; the first process
 * (rank 0) alone writes checkpoints and the log and measures the test set.
 *
 *     MPI_Init(&argc, &argv);
 *     clprop_mpi *mpi = NULL;
 *     clprop_mpi_create(MPI_COMM_WORLD, &mpi);
 *     params.collective = clprop_mpi_collective(mpi);   // then clprop_trainer_create, _run
 *     ...
 *     clprop_mpi_destroy(mpi);
 *     MPI_Finalize();
 * * Built when CMake finds MPI (Debian: libopenmpi-dev); link with clprop::clprop_mpi
 * (find_package(clprop)), or with -lclprop_mpi -lclprop and MPI's flags (mpicc). */
#ifndef CLPROP_MPI_H
#define CLPROP_MPI_H

#include <mpi.h>
#include <stddef.h>

#include "clprop.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clprop_mpi clprop_mpi;

/* Joins the processes of `communicator` (MPI initialised; the communicator is duplicated, and
 * MPI errors on the duplicate are returned as CLPROP_ERROR_COLLECTIVE with MPI's words instead
 * of aborting). Collective: every process of the communicator calls it. */
CLPROP_API
clprop_status clprop_mpi_create(MPI_Comm communicator, clprop_mpi **out);
CLPROP_API
void clprop_mpi_destroy(clprop_mpi *mpi);
CLPROP_API
const char *clprop_mpi_message(const clprop_mpi *mpi);
/* For clprop_trainer_desc.collective; valid while `mpi` is. */
CLPROP_API
const clprop_collective *clprop_mpi_collective(const clprop_mpi *mpi);
/* This process's rank among those on its host, and their number: a device per local rank. */
CLPROP_API
size_t clprop_mpi_local_rank(const clprop_mpi *mpi);
CLPROP_API
size_t clprop_mpi_local_size(const clprop_mpi *mpi);

#ifdef __cplusplus
}
#endif

#endif
