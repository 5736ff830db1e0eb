/* `mpirun -np N clprop train ...`: the same command line in every process; clprop sees MPI's
 * environment, joins the others (the MPI build) and trains its part of every batch. Without the
 * MPI build, a run under mpirun says how to get it. */
#ifndef CLPROP_CLI_MPI_RUN_H
#define CLPROP_CLI_MPI_RUN_H

#include <stddef.h>

#include "clprop.h"

typedef struct cli_mpi {
    int active;   /* under mpirun with more than one process */
    int launched; /* under mpirun (or another MPI launcher), with any number of processes */
    size_t rank, size, local_rank;
    void *handle; /* the clprop_mpi, in the MPI build */
} cli_mpi;

/* Joins the other processes when MPI's environment says there are any (MPI_Init). Reports and
 * returns 0 when it cannot (or when clprop was built without MPI). */
int cli_mpi_start(int *argc, char ***argv, cli_mpi *mpi);
/* The collective for the trainer; NULL when not active. */
const clprop_collective *cli_mpi_collective(const cli_mpi *mpi);
/* Leaves the others (MPI_Finalize). An exit code from 1 to 127 (an error in this process, for
 * which the others may wait) aborts them all with it rather than hang: mpirun exits with it. */
void cli_mpi_end(cli_mpi *mpi, int exit_code);

#endif
