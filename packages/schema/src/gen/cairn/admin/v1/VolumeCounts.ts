// Original file: cairn/admin/v1/admin.proto


export interface VolumeCounts {
  'volumes'?: (number);
  /**
   * healthy | degraded | faulted | unknown -> how many volumes (every word present, 0 included)
   */
  'byRobustness'?: ({[key: string]: number});
  /**
   * detached | attaching | attached | detaching -> how many (as Volume.state shows it)
   */
  'byState'?: ({[key: string]: number});
  /**
   * Volumes the scheduler could not place in full (Volume.unschedulable not empty).
   */
  'unschedulable'?: (number);
  /**
   * Volumes with a replica rebuilding.
   */
  'rebuilding'?: (number);
}

export interface VolumeCounts__Output {
  'volumes': (number);
  /**
   * healthy | degraded | faulted | unknown -> how many volumes (every word present, 0 included)
   */
  'byRobustness': ({[key: string]: number});
  /**
   * detached | attaching | attached | detaching -> how many (as Volume.state shows it)
   */
  'byState': ({[key: string]: number});
  /**
   * Volumes the scheduler could not place in full (Volume.unschedulable not empty).
   */
  'unschedulable': (number);
  /**
   * Volumes with a replica rebuilding.
   */
  'rebuilding': (number);
}
