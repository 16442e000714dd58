package importer

import (
	"errors"
	"io/fs"
)

// Detect guesses the tool a folder was written for from its file names and
// the markers in its files, and returns the evidence it found. A folder
// that fits several tools is an *AmbiguousError listing the candidates.
func Detect(src fs.FS) (Tool, []string, error) {
	return "", nil, errors.New("detect: not implemented yet")
}
