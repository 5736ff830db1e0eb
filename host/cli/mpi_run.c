#include "mpi_run.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "signals.h"

#ifdef CLPROP_WITH_MPI
#include "clprop_mpi.h"
#endif

/* The number of processes MPI's launcher says this run has (Open MPI, then PMI's variable, as
 * MPICH and Slurm set it); 1 when none. */
static size_t launched_size(const char **variable)
{
    static const char *const names[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *value = getenv(names[i]);
        if (value != NULL && *value != '\0') {
            *variable = names[i];
            return (size_t)strtoul(value, NULL, 10);
        }
    }
    return 1;
}

int cli_mpi_start(int *argc, char ***argv, cli_mpi *mpi)
{
    *mpi = (cli_mpi){.size = 1};
    const char *variable = NULL;
    size_t size = launched_size(&variable);
    mpi->launched = variable != NULL;
    if (size <= 1)
        return 1;
#ifdef CLPROP_WITH_MPI
    /* MPI's own threads start here, with the signals blocked, as the driver's do */
    signals_block();
    int code = MPI_Init(argc, argv);
    signals_unblock();
    if (code != MPI_SUCCESS) {
        cli_error("MPI_Init failed (error %d): clprop cannot join the other processes", code);
        return 0;
    }
    clprop_mpi *handle = NULL;
    if (clprop_mpi_create(MPI_COMM_WORLD, &handle) != CLPROP_SUCCESS) {
        cli_error("%s", clprop_mpi_message(handle));
        clprop_mpi_destroy(handle);
        MPI_Finalize();
        return 0;
    }
    const clprop_collective *collective = clprop_mpi_collective(handle);
    *mpi = (cli_mpi){.active = 1,
                     .rank = collective->rank,
                     .size = collective->size,
                     .local_rank = clprop_mpi_local_rank(handle),
                     .launched = 1,
                     .handle = handle};
    return 1;
#else
    (void)argc, (void)argv;
    cli_error("started by an MPI launcher (%s=%zu), but this clprop was built without MPI: "
              "install Open MPI's development files (Debian: apt-get install libopenmpi-dev "
              "openmpi-bin) and build clprop again (CMake finds it)",
              variable, size);
    return 0;
#endif
}

const clprop_collective *cli_mpi_collective(const cli_mpi *mpi)
{
#ifdef CLPROP_WITH_MPI
    return mpi->active ? clprop_mpi_collective(mpi->handle) : NULL;
#else
    (void)mpi;
    return NULL;
#endif
}

void cli_mpi_end(cli_mpi *mpi, int exit_code)
{
#ifdef CLPROP_WITH_MPI
    if (!mpi->active)
        return;
    clprop_mpi_destroy(mpi->handle);
    mpi->active = 0;
    fflush(NULL);
    /* the others may be waiting in a sum for this one: end them, mpirun exiting with this code */
    if (exit_code != 0 && exit_code < 128)
        MPI_Abort(MPI_COMM_WORLD, exit_code);
    MPI_Finalize();
#else
    (void)mpi, (void)exit_code;
#endif
}
